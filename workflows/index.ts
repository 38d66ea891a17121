// The workflow bundle's entry: every workflow type the worker registers.
export { prospectWorkflow } from './pipeline/prospect';
export { campaignWorkflow } from './campaign/campaign';
export { suppressionListWorkflow } from './campaign/suppression';
export { taskWorkflow } from './tasks/task';
export { processRegistryWorkflow } from './process/processRegistry';
export { customerWorkflow } from './customer/customer';
