// Every ioreactor-side differential scenario, by name. Importing the scenarios-*.ts modules
// registers theirs.
import './scenarios-chain';
import './scenarios-collections';
import './scenarios-edges';
import './scenarios-task';

export { SCENARIOS, fmt } from './trace';
