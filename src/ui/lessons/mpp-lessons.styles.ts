import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.ts';

export const styles = [
  baseStyles,
  css`
    :host {
      container-type: inline-size;
    }
    label {
      display: flex;
      flex-wrap: wrap;
      gap: 0.2rem 0.4rem;
      align-items: center;
      max-width: 100%;
    }
    /* A native select cannot wrap its text: where the line is too narrow for a lesson's title it
       takes a line of its own, full width, in a slightly smaller size. */
    select {
      min-width: 0;
      flex: 1 1 21rem;
      max-width: 100%;
    }
    @container (max-width: 26rem) {
      select {
        font-size: 0.8rem;
      }
    }
    .summary {
      margin: 0.4rem 0;
    }
    .progress {
      list-style: none;
      padding: 0;
      margin: 0.4rem 0;
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem;
      font-size: 0.75rem;
    }
    .progress li {
      display: flex;
      gap: 0.3rem;
      align-items: center;
      border: 1px solid var(--mpp-border, #334155);
      border-radius: 999px;
      padding: 0.05rem 0.5rem 0.05rem 0.1rem;
      color: var(--mpp-muted, #94a3b8);
    }
    .progress li > span:first-child {
      display: inline-grid;
      place-items: center;
      width: 1.2rem;
      height: 1.2rem;
      border-radius: 50%;
      background: var(--mpp-input-bg, #020617);
    }
    .progress li.done {
      color: var(--mpp-ok, #4ade80);
      border-color: var(--mpp-ok, #4ade80);
    }
    .progress li.current {
      color: var(--mpp-fg, #e2e8f0);
      border-color: var(--mpp-accent, #38bdf8);
      font-weight: 600;
    }
    .step {
      border-top: 1px solid var(--mpp-border, #334155);
      padding-top: 0.5rem;
    }
    .step h3 {
      color: var(--mpp-fg, #e2e8f0);
      font-size: 0.9rem;
    }
    .step p {
      margin: 0 0 0.45rem;
      line-height: 1.4;
    }
    .row {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem;
      align-items: center;
      margin-bottom: 0.3rem;
    }
    .row button {
      flex: 0 0 auto;
      min-width: 9rem;
    }
    .row .cmd {
      flex: 1;
      min-width: 10rem;
      margin: 0;
    }
    .output pre {
      max-height: 12rem;
      overflow: auto;
      font-size: 0.72rem;
      background: var(--mpp-input-bg, #020617);
      padding: 0.4rem;
      border-radius: 6px;
      margin: 0.25rem 0;
    }
    .output summary {
      cursor: pointer;
      font-size: 0.78rem;
    }
    .check {
      border: 1px solid var(--mpp-border, #334155);
      border-left-width: 4px;
      border-radius: 6px;
      padding: 0.35rem 0.6rem;
      margin: 0.5rem 0;
      background: var(--mpp-card-bg, #0b1324);
    }
    .check.pass {
      border-color: var(--mpp-ok, #4ade80);
    }
    .check.fail {
      border-color: var(--mpp-down, #f87171);
    }
    .check.checking {
      border-color: var(--mpp-warn, #fbbf24);
    }
    .check .head {
      margin: 0 0 0.2rem;
      font-weight: 600;
    }
    .check.pass .head {
      color: var(--mpp-ok, #4ade80);
    }
    .check.fail .head {
      color: var(--mpp-down, #f87171);
    }
    .check dl {
      display: grid;
      grid-template-columns: auto 1fr;
      gap: 0.1rem 0.6rem;
      margin: 0 0 0.3rem;
      font-size: 0.8rem;
    }
    .check dt {
      color: var(--mpp-muted, #94a3b8);
    }
    .check dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    .check dd.seen {
      font-family: var(--mpp-mono, ui-monospace, monospace);
      font-size: 0.75rem;
    }
    .nav {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem;
      margin-top: 0.4rem;
    }
    .nav .back {
      margin-right: auto;
    }
    .nav .why {
      flex-basis: 100%;
      text-align: right;
      font-size: 0.75rem;
    }
    .end {
      font-weight: 600;
    }
    .look {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.3rem;
      font-size: 0.8rem;
    }
    .look .reveal {
      padding: 0 0.4rem;
    }
    .progress li.skipped {
      color: var(--mpp-warn, #fbbf24);
    }
    .advance {
      margin: 0.4rem 0 0;
      color: var(--mpp-ok, #4ade80);
      font-weight: 600;
    }
    .following {
      margin: 0.5rem 0 0;
    }
    .pace {
      display: block;
      margin-top: 0.5rem;
      font-size: 0.75rem;
      color: var(--mpp-muted, #94a3b8);
    }
    #step-title:focus {
      outline: none;
    }
    #step-title:focus-visible {
      outline: 3px solid var(--mpp-focus, #ffffff);
    }
  `,
];
