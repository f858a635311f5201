import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { LANGS, translate, type Lang, type MessageKey, type Vars } from './translate';

export * from './translate';

const STORAGE_KEY = 'takt.lang';

/**
 * The language to start in: the URL's `lang=` (a TV's bookmark decides), else the last
 * choice on this browser, else the browser's own language.
 */
export function initialLang(search: string, stored: string | null, browser: string): Lang {
  const fromUrl = new URLSearchParams(search).get('lang');
  for (const candidate of [fromUrl, stored])
    if (candidate && (LANGS as readonly string[]).includes(candidate)) return candidate as Lang;
  return browser.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

interface LangContextValue {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: (key: MessageKey, vars?: Vars) => string;
}

const LangContext = createContext<LangContextValue>({
  lang: 'en',
  setLang: () => undefined,
  t: (key, vars) => translate('en', key, vars),
});

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function LangProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() =>
    initialLang(location.search, readStored(), navigator.language),
  );
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // A kiosk browser without storage keeps the choice until reload.
    }
    const url = new URL(location.href);
    if (url.searchParams.has('lang')) {
      url.searchParams.set('lang', next);
      history.replaceState(null, '', url);
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<LangContextValue>(
    () => ({ lang, setLang, t: (key, vars) => translate(lang, key, vars) }),
    [lang, setLang],
  );
  return <LangContext.Provider value={value}>{children}</LangContext.Provider>;
}

/** `const { t, lang } = useT();` */
export function useT(): LangContextValue {
  return useContext(LangContext);
}
