# One image for every service; the compose command picks which one runs.
# The Node version is the project's own pin (the "node" devDependency in package.json).
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# The dependency layer: manifests only, so a source change does not reinstall.
COPY package.json package-lock.json ./
COPY packages/config/package.json packages/config/
COPY packages/events/package.json packages/events/
COPY packages/sessions/package.json packages/sessions/
COPY packages/read-model/package.json packages/read-model/
COPY packages/event-log/package.json packages/event-log/
COPY packages/revocations/package.json packages/revocations/
COPY services/auth-api/package.json services/auth-api/
COPY services/projector/package.json services/projector/
COPY services/example-resource/package.json services/example-resource/
COPY infra/local/package.json infra/local/
COPY bench/package.json bench/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund --ignore-scripts \
      --workspace services/auth-api --workspace services/projector \
      --workspace services/example-resource --include-workspace-root
COPY tsconfig.base.json ./
COPY packages packages
COPY services services
RUN npx tsc -b services/auth-api services/projector services/example-resource \
  && npm prune --omit=dev --no-audit --no-fund --ignore-scripts \
      --workspace services/auth-api --workspace services/projector \
      --workspace services/example-resource

# What runs and nothing else: the services' and packages' build output and production
# dependencies (no tests, no bench, no local infra, no embedded PostgreSQL).
FROM node:${NODE_VERSION}-bookworm-slim AS production
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/packages/config/package.json packages/config/
COPY --from=build /app/packages/config/dist packages/config/dist
COPY --from=build /app/packages/events/package.json packages/events/
COPY --from=build /app/packages/events/dist packages/events/dist
COPY --from=build /app/packages/sessions/package.json packages/sessions/
COPY --from=build /app/packages/sessions/dist packages/sessions/dist
COPY --from=build /app/packages/read-model/package.json packages/read-model/
COPY --from=build /app/packages/read-model/dist packages/read-model/dist
COPY --from=build /app/packages/event-log/package.json packages/event-log/
COPY --from=build /app/packages/event-log/dist packages/event-log/dist
COPY --from=build /app/services/auth-api/package.json services/auth-api/
COPY --from=build /app/services/auth-api/dist services/auth-api/dist
COPY --from=build /app/services/projector/package.json services/projector/
COPY --from=build /app/services/projector/dist services/projector/dist
COPY --from=build /app/packages/revocations/package.json packages/revocations/
COPY --from=build /app/packages/revocations/dist packages/revocations/dist
COPY --from=build /app/services/example-resource/package.json services/example-resource/
COPY --from=build /app/services/example-resource/dist services/example-resource/dist
USER node
# /health/alive of whichever service runs: the API's public port, the projector's or the example's.
HEALTHCHECK --interval=5s --timeout=3s --retries=5 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PUBLIC_PORT ?? process.env.PROJECTOR_PORT ?? process.env.EXAMPLE_PORT ?? 4433}/health/alive`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "services/auth-api/dist/server.js"]
