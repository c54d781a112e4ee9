# One image for every app; docker-compose.yml picks the app with KLP_APP.
FROM node:20-bookworm-slim
WORKDIR /srv/klp-fleet
ENV TZ=UTC
COPY package.json package-lock.json ./
# patch-package applies these on install (postinstall).
COPY patches patches
# Dev dependencies included: the apps run their TypeScript through swc (tools/register.js), and
# Vite builds the dashboard the api serves.
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY tools/register.js tools/register.js
COPY apps apps
COPY libs libs
COPY migrations migrations
COPY tools/db tools/db
RUN npm run dashboard:build
ENV NODE_ENV=production KLP_APP=api
CMD ["sh", "-c", "exec node -r ./tools/register.js apps/${KLP_APP}/src/main.ts"]
