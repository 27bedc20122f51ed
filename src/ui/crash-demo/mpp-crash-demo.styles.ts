import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.ts';

export const styles = [
  baseStyles,
  css`
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 0.2rem 1rem;
    }
    dt {
      color: var(--mpp-muted, #94a3b8);
    }
    dd {
      margin: 0;
    }
  `,
];
