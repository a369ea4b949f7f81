import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The real knowledge's index is built once and shared read-only (test/global-setup.ts).
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Native addons (hnswlib, sqlite3) are safest in forked processes.
    pool: "forks",
  },
});
