import type { ReactNode } from 'react';
import { STATES } from '../api';
import { countsOf, MAX_SAMPLES, MIN_SLOTS, polylinePoints, type Sample, totalOf } from '../model';

const WIDTH = 330;
const HEIGHT = 90;

/** Hosts per state of one patch over the samples kept in this tab, one line per state, plain SVG. */
export function StateChart(props: { patch: string; history: readonly Sample[] }): ReactNode {
  const series = STATES.map((state) => ({
    state,
    values: props.history.map((sample) => countsOf(sample.patches, props.patch)[state]),
  }));
  const max = Math.max(1, ...props.history.map((sample) => totalOf(countsOf(sample.patches, props.patch))));
  const first = props.history[0]?.at;
  const last = props.history[props.history.length - 1]?.at;
  // The window grows from one minute to MAX_SAMPLES samples, so a fresh tab is not a flat line.
  const slots = Math.min(MAX_SAMPLES, Math.max(MIN_SLOTS, props.history.length));
  const span = first !== undefined && last !== undefined ? Math.round((last - first) / 1000) : 0;
  return (
    <figure className="chart">
      <svg
        viewBox={`-2 -4 ${WIDTH + 40} ${HEIGHT + 8}`}
        width={WIDTH + 40}
        height={HEIGHT + 8}
        role="img"
        aria-label={`hosts per state of ${props.patch} over the last ${span} s`}
      >
        <line className="axis" x1={0} y1={HEIGHT} x2={WIDTH} y2={HEIGHT} />
        <line className="grid" x1={0} y1={0} x2={WIDTH} y2={0} />
        <text className="tick" x={WIDTH + 4} y={4}>
          {max}
        </text>
        <text className="tick" x={WIDTH + 4} y={HEIGHT}>
          0
        </text>
        {series.map(({ state, values }) =>
          values.length > 0 ? (
            <polyline
              key={state}
              className={`series state-${state}`}
              points={polylinePoints(values, WIDTH, HEIGHT, max, slots)}
            />
          ) : null,
        )}
      </svg>
      <figcaption>
        {props.history.length < 2 ? 'collecting samples…' : `last ${span} s, a sample every 2 s`}
      </figcaption>
    </figure>
  );
}
