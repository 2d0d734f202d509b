import { MemoryStore } from '../../src/store/memory-store.js';
import type { StoreLimits } from '../../src/store/store.js';
import { storeContract } from './contract.js';

// One process, one memory: every "client" of a test shares the same MemoryStore.
storeContract('memory', () => {
  let current: MemoryStore | undefined;
  return {
    async open(limits: StoreLimits) {
      current ??= new MemoryStore(limits);
      return current;
    },
    async reset() {
      await current?.close();
      current = undefined;
    },
  };
});
