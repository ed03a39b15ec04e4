import { redactUrl, redactUrls } from '../../devnet/stack/redact';

describe('URLs in logs and state files', () => {
  it('keep local URLs whole but their password; hosted ones keep only scheme and host', () => {
    expect(redactUrl('http://127.0.0.1:8545')).toBe('http://127.0.0.1:8545');
    expect(redactUrl('http://127.0.0.1:8000/subgraphs/name/aave-v3')).toBe('http://127.0.0.1:8000/subgraphs/name/aave-v3');
    expect(redactUrl('postgresql://graph:s3cret@127.0.0.1:5432/graph')).toBe('postgresql://graph:***@127.0.0.1:5432/graph');
    // Alchemy and Infura put the key in the path, The Graph's gateway too, others in the query.
    expect(redactUrl('https://eth-mainnet.g.alchemy.com/v2/AbCdEf123')).toBe('https://eth-mainnet.g.alchemy.com/***');
    expect(redactUrl('https://mainnet.infura.io/v3/0123abcd')).toBe('https://mainnet.infura.io/***');
    expect(redactUrl('https://gateway.thegraph.com/api/KEY/subgraphs/id/Qm')).toBe('https://gateway.thegraph.com/***');
    expect(redactUrl('https://rpc.example.com/?apikey=K')).toBe('https://rpc.example.com/***');
    expect(redactUrl('https://alice:pw@rpc.example.com')).toBe('https://alice:***@rpc.example.com');
    expect(redactUrl('https://rpc.example.com')).toBe('https://rpc.example.com');
    expect(redactUrl('not a url')).toBe('(unparseable URL)');
  });
  it('redacts every URL inside a message', () => {
    const msg = 'eth_blockNumber on https://eth-mainnet.g.alchemy.com/v2/KEY failed; db postgresql://u:pw@127.0.0.1:5432/x';
    const out = redactUrls(msg);
    expect(out).toBe('eth_blockNumber on https://eth-mainnet.g.alchemy.com/*** failed; db postgresql://u:***@127.0.0.1:5432/x');
    expect(out).not.toMatch(/KEY|pw@/);
  });
});
