// Every page of the console, in navigation order. A page is
// { id, label (an i18n key), roles, permission (staff), badge(counts),
//   nav (false: reachable by link only), needsShop (merchant pages),
//   component({shop, account, query}) }.
// The chat workbench comes first: a merchant lands on it.
import chat from './chat.js';
import home from './home.js';

export const pages = [chat, home];
