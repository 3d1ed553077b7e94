// The current time, refreshed on an interval, so relative ages ("5 minutes ago") stay
// true while a page is open.

import { useEffect, useState } from "react";

export function useNow(refreshMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs]);
  return now;
}
