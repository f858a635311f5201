# One image for every Takt process (broker, ingest, edge-agent, sim); the command picks one.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY protocol/package.json protocol/
COPY broker/package.json broker/
COPY edge-agent/package.json edge-agent/
COPY ingest/package.json ingest/
COPY sim/package.json sim/
COPY dashboard/package.json dashboard/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
USER node
ENV NODE_ENV=production
CMD ["node", "--import", "tsx", "ingest/src/main.ts"]
