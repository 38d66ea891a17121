// The workflow bundle's entry: every workflow type the worker registers.
export { prospectWorkflow } from './prospect';
export { campaignWorkflow } from './campaign';
export { suppressionListWorkflow } from './suppression';
export { taskWorkflow } from './task';
export { processRegistryWorkflow } from './processRegistry';
