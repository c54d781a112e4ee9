// Every tier runs in UTC so that a failing test fails the same way on every machine.
process.env.TZ = 'UTC';
