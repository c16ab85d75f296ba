import { render } from 'preact';
import { html } from './ui.js';
import { App } from './app.js';

render(html`<${App} />`, document.getElementById('app'));
