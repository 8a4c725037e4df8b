// The emergency-pause kit: who can pause a proxy (authority), the drill on a fork, and the files
// propose writes to pause/ (kit).
export * from './authority';
export * from './drill';
export * from './kit';
