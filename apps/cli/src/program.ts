import { Command } from 'commander';
import packageJson from '../package.json';
import { registerDemo } from './commands/demo.js';
import { registerFid } from './commands/fid.js';
import { registerRin } from './commands/rin.js';
import { registerSample } from './commands/sample.js';
import { registerSchedule } from './commands/schedule.js';
import { registerSweep } from './commands/sweep.js';
import { registerTrain } from './commands/train.js';
import { registerWorker } from './commands/worker.js';

export function buildProgram(): Command {
  const program = new Command('ns')
    .description('noise-sched: diffusion models with well-chosen noise schedules (Chen 2023)')
    .version(packageJson.version, '-V, --version', 'print the version of ns')
    .showHelpAfterError()
    // Options after a subcommand belong to it (`ns schedule suggest --json`).
    .enablePositionalOptions();
  registerDemo(program);
  registerTrain(program);
  registerSample(program);
  registerSchedule(program);
  registerRin(program);
  registerFid(program);
  registerSweep(program);
  registerWorker(program);
  return program;
}
