// Entry of the static site: registers <mpp-ha-lab>.
import './ui/lab/mpp-ha-lab.ts';
