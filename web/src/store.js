// A small observable store: the console's shared state (the session, the
// shops and which one is current, the session-ended dialog) in one object
// that components read with useStore and change with set.
import { useEffect, useState } from 'preact/hooks';

export function createStore(initial) {
  let state = initial;
  const listeners = new Set();
  return {
    get: () => state,
    set(patch) {
      state = { ...state, ...(typeof patch === 'function' ? patch(state) : patch) };
      for (const l of listeners) l(state);
    },
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

// Re-renders the component when the selected part of the store changes.
export function useStore(store, select = (s) => s) {
  const [value, setValue] = useState(() => select(store.get()));
  useEffect(() => {
    setValue(select(store.get()));
    return store.subscribe((s) => setValue(select(s)));
    // select is meant to be stable in meaning; its identity may change
  }, [store]);
  return value;
}
