// Every page of the console, in navigation order (each role sees the pages
// its roles and permissions allow). A page is
// { id, label (an i18n key), roles, permission (staff), badge(counts),
//   nav (false: reachable by link only), needsShop (merchant pages),
//   component({shop, account, query}) }.
import chat from './chat.js';
import home from './home.js';
import orders from './orders.js';
import aftersales from './aftersales.js';
import products from './products.js';
import coupons from './coupons.js';
import letters from './letters.js';
import funds from './funds.js';
import data from './data.js';
import promotion from './promotion.js';
import review from './review.js';
import campaigns from './campaigns.js';
import community from './community.js';
import feedback from './feedback.js';
import finance from './finance.js';

export const pages = [chat, home, orders, aftersales, products, coupons, letters, funds, data, promotion, review, campaigns, community, feedback, finance];
