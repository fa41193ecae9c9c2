# One image for both roles: `api` (default) or `worker` (command: npm run start:worker).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
ENV NODE_ENV=production
EXPOSE 8080 8081 9464
CMD ["npm", "run", "start:api"]
