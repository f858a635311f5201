import { MaintenanceView } from '../components/MaintenanceView';
import { useLive } from '../live/LiveContext';

/** `/maintenance`: alerts to acknowledge and clear (to be completed: sensor trends with limits). */
export function MaintenancePage() {
  const { alerts } = useLive();
  return <MaintenanceView alerts={alerts} />;
}
