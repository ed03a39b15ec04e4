// The ABIs the devnet deploys and drives, typed `as const` (generated from @aave/core-v3 artifacts
// by gen-abis.ts), shared by deploy, scenario and tests.
export * from './abis';
export { loadArtifact, linkBytecode, libraryDeployOrder } from './artifacts';
