import { Command } from 'commander';
import { registerDemo } from './commands/demo.js';
import { registerSchedule } from './commands/schedule.js';

export function buildProgram(): Command {
  const program = new Command('ns')
    .description('noise-sched: diffusion models with well-chosen noise schedules (Chen 2023)')
    .showHelpAfterError()
    // Options after a subcommand belong to it (`ns schedule suggest --json`).
    .enablePositionalOptions()
    .addHelpCommand(true);
  registerDemo(program);
  registerSchedule(program);
  return program;
}
