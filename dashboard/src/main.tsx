import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Root } from './Root';
import './styles/board.css';
import './styles/tile.css';
import './styles/auth.css';
import './styles/shell.css';
import './styles/boards.css';
import './styles/pages.css';
import './styles/public.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
