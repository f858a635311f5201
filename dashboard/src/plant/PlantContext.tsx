import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api } from '@takt/protocol/api';
import { apiGet } from '../lib/api';
import type { PlantModel } from './plant-model';

/** The plant model, loaded once per page: null until it arrives (or when it cannot be read). */
export interface PlantState {
  plant: PlantModel | null;
  error: string | null;
  /** The plant's time zone, UTC until the model is loaded. */
  timeZone: string;
}

const PlantContext = createContext<PlantState>({ plant: null, error: null, timeZone: 'UTC' });

export function PlantProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<PlantState>({ plant: null, error: null, timeZone: 'UTC' });
  useEffect(() => {
    let alive = true;
    apiGet(api.plant.plant)
      .then((plant) => {
        if (alive) setState({ plant, error: null, timeZone: plant.site.timeZone });
      })
      .catch((error: Error) => {
        if (alive) setState((s) => ({ ...s, error: error.message }));
      });
    return () => {
      alive = false;
    };
  }, []);
  return <PlantContext.Provider value={state}>{children}</PlantContext.Provider>;
}

export function usePlant(): PlantState {
  return useContext(PlantContext);
}
