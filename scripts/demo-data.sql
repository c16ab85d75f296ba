-- Demo data for a first look at merchantd: loaded once by scripts/run.sh.
-- Both accounts use the password "demo-password".
BEGIN;
INSERT INTO accounts (role, username, display_name, password_hash, created_at)
VALUES ('merchant', 'demo', 'Demo Merchant', '$argon2id$v=19$m=65536,t=2,p=1$FqajeLKkacAonDM8Y66IAg$VZ+1ddReIJr46BJMFAMWQ4iVpcBtxnqUESUwiSbs4d0', now()),
       ('buyer', 'demo-buyer', 'Demo Buyer', '$argon2id$v=19$m=65536,t=2,p=1$FqajeLKkacAonDM8Y66IAg$VZ+1ddReIJr46BJMFAMWQ4iVpcBtxnqUESUwiSbs4d0', now())
ON CONFLICT (username) DO NOTHING;
COMMIT;
