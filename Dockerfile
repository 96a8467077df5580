# syntax=docker/dockerfile:1
# The CostGuard operator image: the compiled operator (dist/), its production dependencies and
# the CRDs, on Node 24, running as an unprivileged user. Build from the repository root:
#   docker build -t costguard:dev .
# Without Docker, `make image` builds the same /app, user, entrypoint and command FROM scratch
# from pinned inputs (hack/image/); test/integration/image/ checks that the two agree.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: every dependency, TypeScript compiled to dist/ ---------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No dependency needs an install script; not running them keeps the build hermetic.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src/ src/
RUN npm run build

# --- deps: production dependencies only -------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# --- runtime ------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="costguard" \
      org.opencontainers.image.description="Kubernetes operator that stops autoscaling cost runaways" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
# Same V8 heap flags as the chart's nodeOptions: collect early, keep RSS near the live heap.
ENV NODE_OPTIONS="--max-semi-space-size=1 --max-old-space-size=128"
# A fixed, unprivileged uid/gid (65532, as in distroless "nonroot") that the chart's
# securityContext names too; no login shell, no home.
RUN groupadd --system --gid 65532 nonroot \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin nonroot
WORKDIR /app
# package.json carries "type": "module", which Node needs to load dist/ as ES modules.
COPY package.json ./
COPY --from=deps /app/node_modules/ node_modules/
COPY --from=build /src/dist/ dist/
COPY crds/ crds/
# Files stay root-owned and read-only to the operator; the chart also mounts the root
# filesystem read-only.
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["operator"]
