/**
 * The methodology version every export names (docs/methodology.md, "Version"): bumped whenever a
 * formula in that document changes meaning, so a cited file says which definitions it used.
 */
export const METHODOLOGY_VERSION = '1.2';
