export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __redisStop?: () => Promise<void> }).__redisStop?.();
}
