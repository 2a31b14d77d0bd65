// The fish integration through a real terminal (tmux); the scenarios are shared by all three shells.
import { shellSuite } from './scenarios.ts';

shellSuite('fish');
