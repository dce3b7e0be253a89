# syntax=docker/dockerfile:1
# The bot runs its TypeScript sources directly with Node's type stripping
# (`node src/main.ts`), so there is no build stage: the image is the sources
# plus the production dependencies.
FROM node:24-slim

ENV NODE_ENV=production \
    HEALTH_PORT=8080
WORKDIR /app

# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY src ./src
COPY adapters ./adapters

# The default store is SQLite at ./data/bot.sqlite (STORE_URL); keep it on a volume
# owned by the unprivileged user the bot runs as.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node

# 3000: Slack events in HTTP mode (PORT); 8080: /healthz and /metrics (HEALTH_PORT).
EXPOSE 3000 8080

# The slim image has no curl: ask Node's own fetch. 503 (not ready) and no answer both fail.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTH_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# SIGTERM (docker stop) lets streaming answers finish, then ends them with an
# "interrupted" marker; give the container a stop timeout longer than that grace.
STOPSIGNAL SIGTERM
CMD ["node", "src/main.ts"]
