// What every baseline yields: linkRecords' candidate pair plus the baseline's own "likely" verdict,
// since none of them has a calibrated probability to cut at 0.5.
import type { CandidatePair } from '../../matchers/link.ts';

export interface BaselinePair extends CandidatePair {
  likely: boolean;
}

export interface BaselineOptions {
  top?: number;
}
