/** Loads every built-in function/operator/aggregate module so the registries are populated. */
import './operators.ts';
import './expr-math.ts';
import './expr-string.ts';
import './expr-datefns.ts';
import './expr-like.ts';
import './aggregates.ts';
import './expr-json.ts';
