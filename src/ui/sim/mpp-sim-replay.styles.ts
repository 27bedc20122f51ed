import { css } from 'lit';

export const styles = css`
  form {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem;
    align-items: end;
    margin-bottom: 0.5rem;
  }
  label {
    display: flex;
    flex-direction: column;
    font-size: 0.75rem;
    color: var(--mpp-muted, #94a3b8);
  }
  input,
  select {
    width: 6rem;
    padding: 0.2rem 0.35rem;
    border-radius: 4px;
    border: 1px solid var(--mpp-border, #334155);
    background: var(--mpp-card-bg, #0b1324);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem;
    margin: 0.4rem 0;
  }
  ol {
    margin: 0.3rem 0;
    padding-left: 2.2rem;
    max-height: 16rem;
    overflow: auto;
    font-size: 0.78rem;
    line-height: 1.35;
  }
  li.done {
    color: var(--mpp-fg, #e2e8f0);
  }
  li.pending {
    color: var(--mpp-muted, #94a3b8);
  }
  li.current {
    font-weight: 600;
    color: var(--mpp-accent, #38bdf8);
  }
  li.failed {
    color: var(--mpp-down, #f87171);
  }
  .note {
    color: var(--mpp-muted, #94a3b8);
  }
  .verdict {
    border-left: 4px solid var(--mpp-ok, #4ade80);
    padding: 0.3rem 0.5rem;
    margin: 0.4rem 0;
  }
  .verdict.bad {
    border-color: var(--mpp-down, #f87171);
  }
  h3 {
    margin-top: 0.7rem;
  }
  label.scrub {
    display: block;
    margin: 0.3rem 0;
    font-size: 0.8rem;
  }
  label.scrub input {
    display: block;
    width: 100%;
  }
  label.link {
    display: block;
    margin: 0.3rem 0;
  }
  label.link input {
    display: block;
    width: 100%;
    margin-top: 0.2rem;
  }
  select.wide {
    width: auto;
    max-width: 100%;
  }
  label.file input {
    width: auto;
    max-width: 100%;
    border: none;
    background: none;
  }
  .recording {
    border-left: 4px solid var(--mpp-accent, #38bdf8);
    padding: 0.2rem 0.5rem;
    margin: 0.4rem 0;
  }
  .recording p {
    margin: 0.2rem 0;
    font-size: 0.85rem;
  }
  label.inline {
    flex-direction: row;
    align-items: center;
    gap: 0.3rem;
    font-size: 0.8rem;
  }
  label.inline input {
    width: auto;
  }
`;
