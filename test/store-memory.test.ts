import { runStoreContract } from "../src/testing/contracts/store.ts";
import { openStore } from "../src/store/store.ts";

// Each open is a new, empty store: nothing survives a reopen.
runStoreContract("memory", () => openStore("memory://"));
