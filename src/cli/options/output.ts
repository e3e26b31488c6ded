/**
 * The output flags: --format, --fail-on and --output, defined once; each command says what its
 * output is called and which formats and default it has.
 */
import { Option } from 'commander';
import { FAIL_ON } from '../../config/fail-on.js';

export function formatOption(help: string, choices: readonly string[]): Option {
  return new Option('--format <format>', help).choices([...choices]);
}

export function failOnOption(help = 'exit 1 when a finding is at or above this (default high)'): Option {
  return new Option('--fail-on <severity>', help).choices([...FAIL_ON]);
}

/** `--output FILE`: the command's output (its `noun`) goes to a 0600 file instead of stdout. */
export function outputOption(noun: string): Option {
  return new Option('--output <file>', `write the ${noun} to this file (mode 0600) instead of stdout`);
}
