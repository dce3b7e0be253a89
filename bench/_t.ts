import { runSqliteStore, runRedisStore } from './store-run.ts';
console.log(JSON.stringify(await runSqliteStore()));
console.log(JSON.stringify(await runRedisStore()));
