// The workflow bundle's entry: every workflow type the worker registers.
export { prospectWorkflow } from './prospect';
export { taskWorkflow } from './task';
export { processRegistryWorkflow } from './processRegistry';
