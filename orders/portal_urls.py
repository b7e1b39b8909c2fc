from django.urls import path

from . import mall_views, views

app_name = "portal_orders"

urlpatterns = [
    path("", views.portal_order_list, name="list"),
    path("catalog/", mall_views.catalog, name="catalog"),
    path("catalog/<int:pk>/image/", mall_views.product_image, name="product_image"),
    path("cart/", mall_views.cart, name="cart"),
    path("cart/add/", mall_views.cart_add_view, name="cart_add"),
    path("cart/quick/", mall_views.cart_quick_add, name="cart_quick"),
    path("cart/update/", mall_views.cart_update, name="cart_update"),
    path("checkout/", mall_views.checkout_view, name="checkout"),
    path("<int:pk>/", views.portal_order_detail, name="detail"),
    path("<int:pk>/cancel/", views.portal_order_cancel, name="cancel"),
    path("<int:pk>/receive/", views.portal_order_receive, name="receive"),
    path("<int:pk>/reorder/", views.portal_order_reorder, name="reorder"),
]
