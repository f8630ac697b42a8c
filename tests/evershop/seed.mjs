// Seed a fresh EverShop database through EverShop's own services: migrations, settings, a
// shipping zone, categories, products, CMS pages, a customer with an address and two orders.
//
// Run by evershop_site.py with the site folder as the working directory (it holds the
// `node_modules` link) and DB_* in the environment; reads the seed data as JSON on stdin and
// prints one JSON line of what was made (the manifest) on stdout.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const pkg = path.resolve('node_modules', '@evershop', 'evershop', 'dist');
const load = (relative) => import(pathToFileURL(path.join(pkg, relative)).href);

const data = JSON.parse(readFileSync(0, 'utf-8'));
const context = { command: 'start', env: 'production', process: 'main' };

process.env.ALLOW_CONFIG_MUTATIONS = 'true';
const { getCoreModules } = await load('bin/lib/loadModules.js');
const { loadBootstrapScript } = await load('bin/lib/bootstrap/bootstrap.js');
const { migrate } = await load('bin/lib/bootstrap/migrate.js');
const { loadModuleRoutes } = await load('lib/router/loadModuleRoutes.js');
const modules = getCoreModules();
// Routes first, as `evershop start` does: cart items and orders build product URLs from them.
for (const module of modules) loadModuleRoutes(module.path);
// Bootstraps register payment methods, shipping providers and validators the checkout needs.
for (const module of modules) await loadBootstrapScript(module, context);
await migrate(modules);

const qb = await import(
  pathToFileURL(path.resolve('node_modules', '@evershop', 'postgres-query-builder', 'dist', 'index.js')).href
);
const { pool } = await load('lib/postgres/connection.js');
const { refreshSetting } = await load('modules/setting/services/setting.js');
const catalog = await load('modules/catalog/services/index.js');
const customers = await load('modules/customer/services/index.js');
const cms = await load('modules/cms/services/index.js');
const checkout = await load('modules/checkout/services/index.js');

// Settings the admin's Store settings screen writes: shop name, and cash on delivery enabled.
for (const [name, value] of Object.entries(data.settings)) {
  await qb.insertOnUpdate('setting', ['name']).given({ name, value: String(value), is_json: 0 }).execute(pool);
}
await refreshSetting();

// One shipping zone with two Core methods, as the admin's Shipping screen makes them.
const zone = await qb.insert('shipping_zone').given({ name: data.shipping.zone }).execute(pool);
for (const country of data.shipping.countries) {
  await qb.insert('shipping_zone_country').given({ zone_id: zone.insertId, country }).execute(pool);
}
await qb.insert('shipping_zone_provider').given({ zone_id: zone.insertId, provider_code: 'core', is_enabled: true }).execute(pool);
const methods = [];
for (const [index, method] of data.shipping.methods.entries()) {
  const row = await qb.insert('core_shipping_method').given({ name: method.name, sort_order: index }).execute(pool);
  await checkout.createCoreShippingRate({ method_id: row.insertId, zone_id: zone.insertId, cost: method.cost });
  const saved = await qb.select().from('core_shipping_method').where('core_shipping_method_id', '=', row.insertId).load(pool);
  methods.push(saved.uuid);
}

const categoryIds = {};
for (const category of data.categories) {
  const made = await catalog.createCategory({ status: 1, include_in_nav: 1, ...category }, {});
  categoryIds[category.url_key] = made.category_id ?? made.insertId;
}
const standardBox = await qb.select().from('package').where('is_default', '=', true).load(pool);
const productIds = {};
for (const product of data.products) {
  const { category, ...fields } = product;
  const made = await catalog.createProduct(
    {
      type: 'simple', visibility: true, status: true, manage_stock: true,
      package_id: standardBox.package_id, category_id: categoryIds[category], group_id: 1,
      ...fields,
    },
    {},
  );
  productIds[product.sku] = made.product_id ?? made.insertId;
}

for (const page of data.pages) await cms.createPage({ status: 1, layout: 'oneColumn', ...page }, {});

// A home page collection, assigned the way EverShop's own demo seeder assigns it.
const collection = await catalog.createCollection(data.collection.fields, {});
for (const sku of data.collection.skus) {
  await qb.insert('product_collection')
    .given({ collection_id: collection.collection_id ?? collection.insertId, product_id: productIds[sku] })
    .execute(pool);
}
// Navigation and the home page are widgets in EverShop: a fresh store shows an empty page
// with icon-only header controls until the merchant places some.
const { default: createWidget } = await load('modules/cms/services/widget/createWidget.js');
for (const widget of data.widgets) await createWidget({ status: 1, ...widget }, {});

const customer = await customers.createCustomer({ status: 1, group_id: 1, ...data.customer }, {});
await customers.createCustomerAddress(customer.uuid, { ...data.address, is_default: 1 }, {});

const orders = [];
for (const [index, items] of data.orders.entries()) {
  const cart = await checkout.createNewCart(`seed-${index}`, {
    customer_id: customer.customer_id, email: customer.email, group_id: 1, full_name: customer.full_name,
  });
  for (const [sku, qty] of items) await checkout.addCartItem(cart, productIds[sku], qty, {});
  await checkout.saveCart(cart);
  const order = await checkout.checkout(cart.getData('uuid'), {
    customer: { id: customer.customer_id, email: customer.email, fullName: customer.full_name },
    shippingAddress: data.address,
    billingAddress: data.address,
    paymentMethod: 'cod',
    shippingMethod: methods[0],
    shippingProvider: 'core',
  });
  orders.push({ uuid: order.uuid, number: order.order_number });
}

process.stdout.write(`${JSON.stringify({ products: productIds, categories: categoryIds, orders })}\n`);

process.exit(0);
