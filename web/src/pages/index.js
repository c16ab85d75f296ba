// Every page of the console, in navigation order. A page is
// { id, label (an i18n key), roles, permission (staff), badge(counts),
//   nav (false: reachable by link only), needsShop (merchant pages),
//   component({shop, account, query}) }.
import home from './home.js';
import review from './review.js';
import campaigns from './campaigns.js';
import community from './community.js';
import feedback from './feedback.js';
import finance from './finance.js';

export const pages = [home, review, campaigns, community, feedback, finance];
