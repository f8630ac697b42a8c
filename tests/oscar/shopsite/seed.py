"""Seed data for the throwaway Oscar shop: catalogue, stock, one customer and their orders.

Runs inside a configured Django process (see __main__.py). Everything goes through Oscar's own
models and its stock order-placement class, so the shop renders exactly what stock Oscar would.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_class, get_model
from PIL import Image, ImageDraw

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductAttribute = get_model("catalogue", "ProductAttribute")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Country = get_model("address", "Country")
UserAddress = get_model("address", "UserAddress")
ShippingAddress = get_model("order", "ShippingAddress")
Order = get_model("order", "Order")
Line = get_model("order", "Line")
Basket = get_model("basket", "Basket")
OrderCreator = get_class("order.utils", "OrderCreator")
Selector = get_class("partner.strategy", "Selector")
FreeShipping = get_class("shipping.methods", "Free")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")


@dataclass(frozen=True)
class ProductSeed:
    sku: str
    title: str
    category: str
    price: str
    num_in_stock: int
    origin: str
    weight: str
    description: str


CATEGORIES = ("Tea", "Teaware", "Snacks")

PRODUCTS = (
    ProductSeed(
        "TEA-001",
        "West Lake Longjing Green Tea 250 g",
        "Tea",
        "128.00",
        40,
        "Hangzhou, Zhejiang",
        "250 g",
        "Pan-fired spring green tea with flat jade leaves and a chestnut aroma.",
    ),
    ProductSeed(
        "TEA-002",
        "Anxi Tieguanyin Oolong 200 g",
        "Tea",
        "98.00",
        25,
        "Anxi, Fujian",
        "200 g",
        "Lightly oxidised oolong, rolled into tight pellets; floral and creamy.",
    ),
    ProductSeed(
        "TEA-003",
        "Aged Pu-erh Tea Cake 357 g",
        "Tea",
        "268.00",
        0,
        "Menghai, Yunnan",
        "357 g",
        "Pressed dark tea aged for eight years; earthy, smooth and sweet.",
    ),
    ProductSeed(
        "TEA-004",
        "Jasmine Dragon Pearls 100 g",
        "Tea",
        "76.00",
        60,
        "Fuzhou, Fujian",
        "100 g",
        "Hand-rolled green tea pearls scented with fresh jasmine blossoms.",
    ),
    ProductSeed(
        "WARE-001",
        "Celadon Teapot 300 ml",
        "Teaware",
        "188.00",
        8,
        "Longquan, Zhejiang",
        "420 g",
        "Glazed stoneware teapot with a fine strainer; dishwasher unsafe.",
    ),
    ProductSeed(
        "WARE-002",
        "Double-Wall Glass Cups, Set of 4",
        "Teaware",
        "59.00",
        0,
        "Shenzhen, Guangdong",
        "600 g",
        "Heat-insulating borosilicate glass cups, 150 ml each.",
    ),
    ProductSeed(
        "WARE-003",
        "Bamboo Tea Tray",
        "Teaware",
        "145.00",
        12,
        "Anji, Zhejiang",
        "1.8 kg",
        "Slatted bamboo tray with a drip drawer for gongfu brewing.",
    ),
    ProductSeed(
        "WARE-004",
        "Porcelain Gaiwan 120 ml",
        "Teaware",
        "68.00",
        30,
        "Jingdezhen, Jiangxi",
        "260 g",
        "White porcelain lidded bowl for brewing and serving tea.",
    ),
    ProductSeed(
        "SNACK-001",
        "Black Sesame Crackers 500 g",
        "Snacks",
        "32.00",
        100,
        "Guangzhou, Guangdong",
        "500 g",
        "Crisp crackers baked with black sesame. Contains wheat and sesame.",
    ),
    ProductSeed(
        "SNACK-002",
        "Dried Mango Slices 300 g",
        "Snacks",
        "28.50",
        0,
        "Sanya, Hainan",
        "300 g",
        "Sun-dried mango slices without added sugar.",
    ),
    ProductSeed(
        "SNACK-003",
        "Walnut Cookies 240 g",
        "Snacks",
        "24.00",
        50,
        "Shanghai",
        "240 g",
        "Traditional short cookies with crushed walnuts. Contains nuts and egg.",
    ),
)

# (days before now, status, [(sku, quantity), ...]); the last one is placed over two calendar
# years before the latest order so that order-history retention can be tested.
ORDERS = (
    (2, "Being processed", [("TEA-001", 2), ("WARE-004", 1)]),
    (35, "Shipped", [("TEA-004", 1), ("SNACK-001", 3)]),
    (160, "Complete", [("WARE-003", 1)]),
    (2 + 3 * 365 + 40, "Complete", [("TEA-002", 1), ("SNACK-003", 2)]),
)

PALETTE = ((88, 140, 90), (150, 110, 60), (70, 110, 150), (170, 80, 80), (120, 90, 150))


def seed(email: str, password: str) -> dict:
    """Fill an empty, migrated database with the whole demo data set.

    Returns what was seeded (URL paths of the English interface, order numbers and dates) so
    tests know the ground truth without asking the shop. The password is not part of it.
    """
    site = Site.objects.get_current()
    site.domain, site.name = "127.0.0.1", "Oscar Test Shop"
    site.save()
    countries = seed_countries()
    products = seed_catalogue()
    user = seed_customer(email, password, countries["CN"])
    orders = seed_orders(user, products)
    return {
        "customer_email": email,
        "categories": {c.name: c.get_absolute_url() for c in Category.objects.all()},
        "products": [
            {
                "sku": item.sku,
                "title": item.title,
                "path": products[item.sku].get_absolute_url(),
                "price": item.price,
                "in_stock": item.num_in_stock > 0,
            }
            for item in PRODUCTS
        ],
        "orders": [
            {
                "number": order.number,
                "date_placed": order.date_placed.isoformat(),
                "status": order.status,
                "path": reverse("customer:order", kwargs={"order_number": order.number}),
                "lines": [
                    {"sku": line.partner_sku, "title": line.title, "quantity": line.quantity}
                    for line in order.lines.all()
                ],
            }
            for order in orders
        ],
    }


def seed_countries() -> dict[str, Country]:
    rows = (
        ("CN", "CHN", "156", "China", "People's Republic of China"),
        ("GB", "GBR", "826", "United Kingdom", "United Kingdom of Great Britain"),
        ("US", "USA", "840", "United States", "United States of America"),
    )
    countries = {}
    for a2, a3, numeric, printable, name in rows:
        countries[a2] = Country.objects.create(
            iso_3166_1_a2=a2,
            iso_3166_1_a3=a3,
            iso_3166_1_numeric=numeric,
            printable_name=printable,
            name=name,
            is_shipping_country=True,
        )
    return countries


def seed_catalogue() -> dict[str, Product]:
    product_class = ProductClass.objects.create(
        name="Goods", slug="goods", requires_shipping=True, track_stock=True
    )
    origin = ProductAttribute.objects.create(
        product_class=product_class, name="Origin", code="origin", type="text"
    )
    weight = ProductAttribute.objects.create(
        product_class=product_class, name="Net weight", code="weight", type="text"
    )
    categories = {
        name: Category.add_root(name=name, slug=name.lower(), description=f"Our {name.lower()}.")
        for name in CATEGORIES
    }
    partner = Partner.objects.create(name="Oscar Test Shop Warehouse", code="warehouse")
    products = {}
    for index, item in enumerate(PRODUCTS):
        product = Product.objects.create(
            product_class=product_class,
            title=item.title,
            upc=item.sku,
            description=f"<p>{item.description}</p>",
            structure=Product.STANDALONE,
        )
        origin.save_value(product, item.origin)
        weight.save_value(product, item.weight)
        ProductCategory.objects.create(product=product, category=categories[item.category])
        StockRecord.objects.create(
            product=product,
            partner=partner,
            partner_sku=item.sku,
            price_currency="CNY",
            price=Decimal(item.price),
            num_in_stock=item.num_in_stock,
        )
        image = ProductImage(product=product, caption=item.title, display_order=0)
        image.original.save(f"{item.sku.lower()}.jpg", product_picture(index), save=True)
        products[item.sku] = product
    return products


def product_picture(index: int) -> ContentFile:
    """A plain generated JPEG so product pages carry a real image."""
    picture = Image.new("RGB", (480, 480), PALETTE[index % len(PALETTE)])
    ImageDraw.Draw(picture).ellipse((120, 120, 360, 360), fill=(240, 235, 220))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    return ContentFile(buffer.getvalue())


def seed_customer(email: str, password: str, country: Country):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username="customer1",
        email=email,
        password=password,
        first_name="Wei",
        last_name="Zhang",
    )
    UserAddress.objects.create(
        user=user,
        first_name="Wei",
        last_name="Zhang",
        line1="88 Example Road",
        line2="Building 3, Room 501",
        line4="Hangzhou",
        state="Zhejiang",
        postcode="310000",
        country=country,
        phone_number="+8613800138000",
        is_default_for_shipping=True,
        is_default_for_billing=True,
    )
    return user


def seed_orders(user, products: dict[str, Product]) -> list[Order]:
    now = timezone.now()
    orders = []
    for days_ago, status, lines in ORDERS:
        order = place_order(user, products, lines, now - timedelta(days=days_ago))
        # Seeded history: jump straight to the final status instead of walking the pipeline.
        Order.objects.filter(pk=order.pk).update(status=status)
        Line.objects.filter(order=order).update(status=status)
        order.refresh_from_db()
        orders.append(order)
    return orders


def place_order(user, products: dict[str, Product], lines, placed: datetime) -> Order:
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    for sku, quantity in lines:
        basket.add_product(products[sku], quantity)
    method = FreeShipping()
    charge = method.calculate(basket)
    address = ShippingAddress()
    user.addresses.first().populate_alternative_model(address)
    address.save()
    order = OrderCreator().place_order(
        basket=basket,
        total=OrderTotalCalculator().calculate(basket, charge),
        shipping_method=method,
        shipping_charge=charge,
        user=user,
        shipping_address=address,
        date_placed=placed,
    )
    basket.submit()
    return order
