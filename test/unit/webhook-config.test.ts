import { createHmac } from 'node:crypto';
import { parseWebhookConfig, signature } from '../../server/alerts/webhooks';
import { dayName, parseDay } from '../../server/riskdao/format';

const target = { name: 'ops', url: 'https://hooks.example/x', secret: 'a-secret-of-enough-length', protocol: 'aave-v3', rules: { accountInsolvent: true } };

describe('webhook config', () => {
  it('reads targets, secrets from the environment, and refuses what cannot work', () => {
    const [t] = parseWebhookConfig(JSON.stringify({ targets: [{ ...target, secret: undefined, secretEnv: 'OPS_SECRET' }] }), { OPS_SECRET: 'from-the-environment-123' });
    expect([t.name, t.secret, t.rules.accountInsolvent]).toEqual(['ops', 'from-the-environment-123', true]);
    const bad = (t: Record<string, unknown>, env = {}) => () => parseWebhookConfig(JSON.stringify({ targets: [t] }), env);
    expect(() => parseWebhookConfig('{', {})).toThrow(/not valid JSON/);
    expect(() => parseWebhookConfig('{"targets":[]}', {})).toThrow(/non-empty/);
    expect(bad({ ...target, url: 'ftp://x' })).toThrow(/url/);
    expect(bad({ ...target, secret: 'short' })).toThrow(/secret/);
    expect(bad({ ...target, secret: undefined, secretEnv: 'UNSET' })).toThrow(/secret/);
    expect(bad({ ...target, rules: {} })).toThrow(/no rule set/);
    expect(bad({ ...target, rules: { solvencyRatioBelow: 'one' } })).toThrow(/solvencyRatioBelow/);
  });

  it('signs timestamp.body with HMAC-SHA256', () => {
    const body = '{"id":"x"}';
    expect(signature('k'.repeat(16), 1700000000, body)).toBe(`v1=${createHmac('sha256', 'k'.repeat(16)).update(`1700000000.${body}`).digest('hex')}`);
    expect(signature('k'.repeat(16), 1700000001, body)).not.toBe(signature('k'.repeat(16), 1700000000, body));
  });
});

describe('Risk DAO day folders', () => {
  it('D.M.YYYY in UTC, unpadded; impossible dates refused', () => {
    expect(dayName(Date.UTC(2027, 1, 6, 23, 59, 59) / 1000)).toBe('6.2.2027');
    expect(parseDay('6.2.2027')).toEqual([Date.UTC(2027, 1, 6) / 1000, Date.UTC(2027, 1, 7) / 1000 - 1]);
    expect(parseDay('31.2.2027')).toBeNull();
    expect(parseDay('2027-02-06')).toBeNull();
  });
});
