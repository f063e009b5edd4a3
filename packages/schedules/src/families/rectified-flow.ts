import {
  flowTimeOfGamma,
  flowTimeOfLogSnr,
  gammaOfFlowTime,
  logSnrOfFlowTime,
} from '../parameterizations.js';
import { defineSchedule, type Schedule } from '../schedule.js';

/**
 * Rectified flow (Liu et al. 2022; SD3, Flux): x_t = (1 − t)·x0 + t·ε, read as the
 * variance-preserving schedule with the same logSNR, γ(t) = (1 − t)²/((1 − t)² + t²) and
 * logSNR(t) = 2·ln((1 − t)/t). t is the flow time itself, so a uniform time grid here is the flow
 * sampler's uniform grid, and `+shift=s` is SD3's shifted flow time s·t/(1 + (s − 1)·t).
 */
export function rectifiedFlow(): Schedule {
  return defineSchedule({
    family: 'rectifiedFlow',
    spec: 'rectified_flow',
    gamma: gammaOfFlowTime,
    logSnr: logSnrOfFlowTime,
    tFromGamma: flowTimeOfGamma,
    tFromLogSnr: flowTimeOfLogSnr,
  });
}
