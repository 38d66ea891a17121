# The salesflow worker as an image: `docker compose up --scale worker=N` runs N of them
# against one Temporal service, all sharing the task queue.
#
# glibc (Debian bookworm), not Alpine: @temporalio/core-bridge ships a native library built
# for glibc, and @swc/core (used to bundle the workflow code at start) does the same.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: compile TypeScript to dist/ ---------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app

# Dependencies first, in their own layer, so a source change does not reinstall them.
# --ignore-scripts: `prepare` would run the tsc build before the sources are here; no
# dependency needs its install script (native binaries come as platform packages).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

COPY . .
RUN npm run build

# --- runtime: production dependencies and the compiled code only --------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app

# Production dependencies suffice: the build stage bundled the workflows into
# dist/workflow-bundle.js, which the worker loads as it is (with tracing on, it bundles
# dist/workflows at start with webpack and swc, dependencies of @temporalio/worker itself).
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force

COPY --from=build /app/dist ./dist

USER node

# Configuration comes from the environment (see domain/shared/config.ts): TEMPORAL_ADDRESS,
# TEMPORAL_NAMESPACE, SALESFLOW_TASK_QUEUE, SMTP_URL, MAIL_FROM, SMTP_POOL_SIZE.
# On SIGTERM the worker finishes the tasks it holds, then exits.
CMD ["node", "dist/worker/main.js"]
