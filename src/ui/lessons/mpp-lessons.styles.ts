import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.ts';

export const styles = [
  baseStyles,
  css`
    label {
      display: flex;
      gap: 0.4rem;
      align-items: center;
      max-width: 100%;
    }
    select {
      min-width: 0;
      flex: 1 1 auto;
    }
    .steps {
      padding-left: 1.3rem;
      margin: 0.4rem 0 0;
    }
    .steps li {
      margin-bottom: 0.5rem;
    }
    .steps p {
      margin: 0 0 0.2rem;
    }
    .row {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem;
      align-items: center;
    }
    .row .cmd {
      flex: 1;
      min-width: 10rem;
      margin: 0;
    }
  `,
];
