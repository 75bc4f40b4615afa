/** Pure image helpers for dataset preparation and import: the browser and the CLI share them. */
export * from './pixels';
export * from './channels';
export * from './crop';
export * from './resize';
export * from './fit';
export * from './class-folders';
export * from './stratified-split';
export * from './assemble';
