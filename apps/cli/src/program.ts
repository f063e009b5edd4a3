import { Command } from 'commander';

export function buildProgram(): Command {
  const program = new Command('ns')
    .description('noise-sched: diffusion models with well-chosen noise schedules (Chen 2023)')
    .showHelpAfterError();
  return program;
}
