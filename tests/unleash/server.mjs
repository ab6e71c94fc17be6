// Starts the pinned Unleash server for the enforcement tests. Configuration from the environment:
// UNLEASH_DATABASE_URL (postgres://...), UNLEASH_PORT, UNLEASH_ADMIN_TOKEN, UNLEASH_CLIENT_TOKEN,
// UNLEASH_FRONTEND_TOKEN.
import { start } from 'unleash-server';

const url = new URL(process.env.UNLEASH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/unleash');
const admin = process.env.UNLEASH_ADMIN_TOKEN ?? '*:*.docket-test-admin';
const client = process.env.UNLEASH_CLIENT_TOKEN ?? 'default:development.docket-test-client';
const frontend = process.env.UNLEASH_FRONTEND_TOKEN ?? 'default:development.docket-test-frontend';

await start({
  db: {
    user: decodeURIComponent(url.username) || 'postgres',
    password: decodeURIComponent(url.password),
    host: url.hostname,
    port: Number(url.port || 5432),
    database: url.pathname.slice(1),
    ssl: false,
  },
  server: { port: Number(process.env.UNLEASH_PORT ?? 4242), host: '127.0.0.1' },
  authentication: {
    type: 'open-source',
    initApiTokens: [
      { environment: '*', project: '*', secret: admin, type: 'admin', tokenName: 'docket-admin' },
      { environment: 'development', project: 'default', secret: client, type: 'client', tokenName: 'docket-client' },
      { environment: 'development', project: 'default', secret: frontend, type: 'frontend', tokenName: 'docket-frontend' },
    ],
  },
  logLevel: process.env.UNLEASH_LOG_LEVEL ?? 'warn',
});
console.log('UNLEASH READY');
