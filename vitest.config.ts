import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Native addons (hnswlib, sqlite3) are safest in forked processes.
    pool: "forks",
  },
});
